// report/figure: scripts and data are written deterministically, gnuplot renders SVG+PNG, and a missing
// gnuplot keeps the script and warns instead of failing.
#include "codessm/report/figure.h"

#include <cmath>
#include <cstdlib>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "test_utils.h"

namespace codessm::report {
namespace {

Figure sample_figure() {
  Figure fig;
  fig.title = "sample";
  fig.rows = 1;
  fig.cols = 2;
  LinePanel lp;
  lp.title = "decay \"quoted\" and a_b";
  lp.xlabel = "l";
  Series s;
  s.title = "0.9^l";
  for (int l = 0; l < 32; ++l) {
    s.x.push_back(l);
    s.y.push_back(std::pow(0.9, l));
  }
  lp.series.push_back(s);
  Series m{"marker", {3.0}, {0.729}, SeriesStyle::kPoints, "#d62728", kPointTriangle, 2.0};
  lp.series.push_back(m);
  Series gap = s;
  gap.title = "with gap";
  gap.x = {0, 1, 2};
  gap.y = {1, NAN, 0.5};
  gap.style = SeriesStyle::kLinesPoints;
  lp.series.push_back(gap);
  lp.ref_lines.push_back({false, 0.5, "threshold"});
  fig.panels.push_back(lp);
  HeatmapPanel hp;
  hp.title = "classes";
  hp.row_labels = {"layer 0", "layer 1"};
  hp.col_labels = {"fwd", "bwd"};
  hp.categories = {"low", "band", "high"};
  hp.category_colors = {"#1f77b4", "#2ca02c", "#d62728"};
  hp.cells = {{0, 2}, {1, -1}};
  hp.cell_text = {{"low", "high"}, {"band", "n/a"}};
  fig.panels.push_back(hp);
  return fig;
}

TEST(Figure, WritesDeterministicScriptAndData) {
  auto dir = test::temp_dir("figure_det");
  auto a = write_figure_script(sample_figure(), dir / "a", "fig");
  auto b = write_figure_script(sample_figure(), dir / "b", "fig");
  EXPECT_EQ(core::read_file(a.script), core::read_file(b.script));
  EXPECT_EQ(core::read_file(a.data), core::read_file(b.data));
  const auto gp = core::read_file(a.script);
  EXPECT_NE(gp.find("set terminal svg"), std::string::npos);
  EXPECT_NE(gp.find("set terminal pngcairo"), std::string::npos);
  EXPECT_NE(gp.find("\"fig.dat\" index 0"), std::string::npos);
  EXPECT_NE(gp.find("decay \\\"quoted\\\""), std::string::npos);  // quotes escaped
  EXPECT_NE(core::read_file(a.data).find("NaN"), std::string::npos);  // gaps kept as NaN
}

TEST(Figure, RejectsInconsistentFigures) {
  auto dir = test::temp_dir("figure_bad");
  Figure f = sample_figure();
  f.cols = 1;
  EXPECT_THROW_WITH(write_figure_script(f, dir, "x"), UsageError, "do not fit");
  Figure g;
  LinePanel lp;
  Series s;
  s.x = {1, 2};
  s.y = {1};
  lp.series.push_back(s);
  g.panels.push_back(lp);
  EXPECT_THROW_WITH(write_figure_script(g, dir, "y"), UsageError, "2 x values but 1 y values");
  Figure h;
  HeatmapPanel hp;
  hp.row_labels = {"r"};
  hp.col_labels = {"c"};
  hp.categories = {"a"};
  hp.category_colors = {"#000000"};
  hp.cells = {{0, 0}};
  h.panels.push_back(hp);
  EXPECT_THROW_WITH(write_figure_script(h, dir, "z"), UsageError, "column labels");
}

TEST(Figure, RendersSvgAndPngDeterministically) {
  if (find_gnuplot().empty()) GTEST_SKIP() << "gnuplot is not installed";
  const char* keep = std::getenv("CODESSM_TEST_FIGURE_DIR");  // set it to look at the images
  auto dir = keep ? std::filesystem::path(keep) : test::temp_dir("figure_render");
  auto a = write_figure_script(sample_figure(), dir / "a", "fig");
  Figure empty;  // an empty panel draws a "no data" frame instead of failing
  empty.panels.push_back(LinePanel{});
  auto e = write_figure_script(empty, dir / "a", "empty");
  auto b = write_figure_script(sample_figure(), dir / "b", "fig");
  auto r = render_figures({a, e, b});
  EXPECT_TRUE(r.gnuplot_found);
  EXPECT_EQ(r.rendered, 3) << r.message << "\n" << core::read_file(r.log);
  EXPECT_EQ(r.failed, 0);
  ASSERT_TRUE(std::filesystem::exists(a.png));
  EXPECT_EQ(core::read_file(a.png).substr(1, 3), "PNG");
  EXPECT_EQ(core::read_file(a.svg), core::read_file(b.svg));
  EXPECT_EQ(core::read_file(a.png), core::read_file(b.png));
}

TEST(Figure, MissingGnuplotKeepsScriptAndWarns) {
  auto dir = test::temp_dir("figure_nognuplot");
  auto f = write_figure_script(sample_figure(), dir, "fig");
  ::setenv("CODESSM_GNUPLOT", "none", 1);
  auto r = render_figures({f});
  ::unsetenv("CODESSM_GNUPLOT");
  EXPECT_FALSE(r.gnuplot_found);
  EXPECT_EQ(r.rendered, 0);
  EXPECT_NE(r.message.find("gnuplot not found"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(f.script));
  EXPECT_TRUE(std::filesystem::exists(f.data));
  EXPECT_FALSE(std::filesystem::exists(f.png));
}

TEST(Figure, BrokenScriptDoesNotStopTheBatch) {
  if (find_gnuplot().empty()) GTEST_SKIP() << "gnuplot is not installed";
  auto dir = test::temp_dir("figure_broken");
  auto bad = write_figure_script(sample_figure(), dir, "bad");
  core::write_file_atomic(bad.script, "this is not gnuplot\n");
  auto good = write_figure_script(sample_figure(), dir, "good");
  auto r = render_figures({bad, good});
  EXPECT_EQ(r.rendered, 1);
  EXPECT_EQ(r.failed, 1);
  EXPECT_TRUE(std::filesystem::exists(good.png));
}

// Bad case 5 (docs/reliability.md): a relative output folder drew no figures, because the renderer `cd`s into
// the folder and then redirected gnuplot's log to the same relative path (a folder that does not exist there).
TEST(Figure, RendersIntoARelativeFolder) {
  if (find_gnuplot().empty()) GTEST_SKIP() << "gnuplot is not installed";
  const auto abs = test::temp_dir("figure_relative");
  const auto old_cwd = std::filesystem::current_path();
  std::filesystem::current_path(abs);
  auto f = write_figure_script(sample_figure(), std::filesystem::path("runs") / "interp" / "figures", "fig");
  auto r = render_figures({f});
  std::filesystem::current_path(old_cwd);
  EXPECT_EQ(r.rendered, 1) << r.message;
  EXPECT_EQ(r.failed, 0);
  EXPECT_TRUE(std::filesystem::exists(abs / "runs" / "interp" / "figures" / "fig.png"));
  EXPECT_TRUE(r.log.is_absolute()) << r.log;
}

}  // namespace
}  // namespace codessm::report
