// The report path of a bundle whose Tablesaw libraries were cut by ShrinkJars.java: each step below goes through
// the Tablesaw code that uses fastutil, Guava, commons-math3 or icu4j, and prints a value that must not change
// between the full and the cut bundle.  Run it with the bundle's launcher and diff the outputs:
//   cd bundle && ./sapling script ../scripts/bundle-check.jsh

Path dir = Files.createTempDirectory("bundle-check");
Path csv = dir.resolve("runs.csv");
// Latin-1 bytes and no declared charset: Tablesaw's Source guesses the charset with icu4j's CharsetDetector
Files.write(csv, ("stage,loss,step,day,note\n"
    + "sft,1.92,100,2026-11-01,caf\u00e9\n"
    + "sft,1.41,200,2026-11-02,na\u00efve\n"
    + "dpo,0.69,100,2026-11-03,r\u00e9sum\u00e9\n"
    + "dpo,0.52,200,2026-11-04,plain\n"
    + "dpo,0.47,300,2026-11-05,plain\n").getBytes(StandardCharsets.ISO_8859_1));
System.out.println("detected charset: " + new tech.tablesaw.io.Source(csv.toFile()).getCharset());
Table runs = Table.read().csv(csv.toFile());
System.out.println("read: " + runs.shape() + " types " + Arrays.toString(runs.typeArray()));
System.out.println("notes: " + runs.stringColumn("note").asList());
System.out.println(runs.structure().print());

// fastutil/Guava: sort, filter, group, join, unique, dates
Table sorted = runs.sortDescendingOn("loss");
System.out.println("sorted steps: " + sorted.intColumn("step").asList());
Table byStage = runs.summarize("loss", mean, min, max, stdDev, median, percentile90).by("stage");
System.out.println(byStage.print());
Table stages = Table.create("stages", StringColumn.create("stage", "sft", "dpo"), IntColumn.create("order", 1, 2));
Table joined = runs.joinOn("stage").inner(stages);
System.out.println("joined: " + joined.shape() + " orders " + joined.intColumn("order").asList());
System.out.println("unique stages: " + runs.stringColumn("stage").unique().asList());
System.out.println("days after Nov 2: " + runs.where(runs.dateColumn("day").isAfter(LocalDate.of(2026, 11, 2))).rowCount());
System.out.println("counts: " + runs.countBy("stage").print());
Table pivot = runs.pivot("stage", "step", "loss", sum);
System.out.println(pivot.print());

// commons-math3: correlations, summary statistics, kurtosis/skewness, bins
DoubleColumn loss = runs.doubleColumn("loss");
NumericColumn<?> step = runs.intColumn("step");
System.out.printf("pearson %.6f spearman %.6f kendall %.6f%n",
    loss.pearsons(step), loss.spearmans(step), loss.kendalls(step));
System.out.println(loss.summary().print());
System.out.printf("kurtosis %.6f skewness %.6f variance %.6f%n", loss.kurtosis(), loss.skewness(), loss.variance());

// write and read back
Path out = dir.resolve("out.csv");
runs.write().csv(out.toFile());
System.out.println("round trip equal: " + Table.read().csv(out.toFile()).setName(runs.name()).print().equals(runs.print()));

// the notebook's renderers: a table as HTML, a chart as SVG and PNG (java.desktop, ImageIO)
MimeBundle html = render(runs);
System.out.println("table mime types: " + new TreeSet<>(html.data().keySet()));
Chart chart = Chart.line("loss by step", "step", "loss").series("all", step.asDoubleArray(), loss.asDoubleArray());
BufferedImage png = chart.png();
System.out.println("chart svg " + chart.svg().length() + " chars, png " + png.getWidth() + "x" + png.getHeight()
    + ", mime types " + new TreeSet<>(render(chart).data().keySet()));
System.out.println("bundle-check done");
