// A tour of the script runner without a model: Tablesaw tables, summaries and an offline chart.
// Run it with:  ./sapling script dsl-examples/tablesaw-tour.jsh
// Startup already imported tech.tablesaw.api.*, java.util.stream.* and dev.sapling.report.* (display, Chart, ...).

Table runs = Table.create("runs",
    StringColumn.create("stage", "sft", "sft", "dpo", "dpo", "dpo"),
    DoubleColumn.create("loss", 1.92, 1.41, 0.69, 0.52, 0.47),
    IntColumn.create("step", 100, 200, 100, 200, 300));

display(runs);

Table byStage = runs.summarize("loss", mean, min).by("stage");
System.out.println(byStage.print());

double best = runs.doubleColumn("loss").min();
if (best != 0.47) {
    throw new IllegalStateException("expected the best loss to be 0.47, got " + best);
}

Chart chart = Chart.line("loss by step", "step", "loss")
    .series("dpo", runs.where(runs.stringColumn("stage").isEqualTo("dpo")).intColumn("step").asDoubleArray(),
                   runs.where(runs.stringColumn("stage").isEqualTo("dpo")).doubleColumn("loss").asDoubleArray());
String svg = chart.svg();
System.out.println("chart: " + svg.length() + " characters of SVG, starts with " + svg.substring(0, 4));
System.out.println("best loss " + best);
