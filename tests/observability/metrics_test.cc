#include "service/common/metrics.h"

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace twilio_gateway::metrics {
namespace {

using ::testing::ElementsAre;

TEST(CounterTest, CountsEveryIncrementAcrossThreads) {
  Counter counter;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&counter] {
      for (int i = 0; i < 10000; ++i) counter.Increment();
    });
  }
  for (auto& thread : threads) thread.join();
  counter.Increment(5);
  EXPECT_EQ(counter.Value(), 40005u);
}

TEST(GaugeTest, GoesUpAndDown) {
  Gauge gauge;
  gauge.Add(3);
  gauge.Add(-5);
  EXPECT_EQ(gauge.Value(), -2);
}

TEST(HistogramTest, BucketsAreCumulativeAndUpperBoundsInclusive) {
  const double bounds[] = {0.1, 1, 10};
  Histogram histogram(bounds);
  histogram.Observe(0.1);  // exactly on a bound: that bucket
  histogram.Observe(0.5);
  histogram.Observe(1);
  histogram.Observe(100);  // only +Inf

  const Histogram::Snapshot snapshot = histogram.Read();
  EXPECT_THAT(snapshot.cumulative, ElementsAre(1, 3, 3, 4));
  EXPECT_EQ(snapshot.count, 4u);
  EXPECT_DOUBLE_EQ(snapshot.sum, 101.6);
}

TEST(HistogramTest, CountMatchesInfBucketUnderConcurrency) {
  const double bounds[] = {1};
  Histogram histogram(bounds);
  std::thread writer([&histogram] {
    for (int i = 0; i < 20000; ++i) histogram.Observe(i % 2 == 0 ? 0.5 : 2);
  });
  for (int i = 0; i < 200; ++i) {
    const Histogram::Snapshot snapshot = histogram.Read();
    ASSERT_EQ(snapshot.cumulative.back(), snapshot.count);
    ASSERT_LE(snapshot.cumulative.front(), snapshot.count);
  }
  writer.join();
  EXPECT_EQ(histogram.Read().count, 20000u);
}

TEST(DynamicFamilyTest, SameValueSameMetricAndNewValuesCapped) {
  DynamicFamily<Counter> family(2, "other");
  Counter* a = family.Get("a");
  EXPECT_EQ(family.Get("a"), a);
  Counter* b = family.Get("b");
  EXPECT_NE(a, b);
  Counter* c = family.Get("c");
  Counter* d = family.Get("d");
  EXPECT_EQ(c, d);                // both past the cap: the overflow metric
  EXPECT_EQ(family.Get("a"), a);  // known values keep theirs

  int values = 0;
  bool saw_other = false;
  family.ForEach([&](const std::string& value, const Counter&) {
    ++values;
    saw_other = saw_other || value == "other";
  });
  EXPECT_EQ(values, 3);
  EXPECT_TRUE(saw_other);
}

TEST(FormatValueTest, UsesTheFormatsSpellings) {
  EXPECT_EQ(FormatValue(0.005), "0.005");
  EXPECT_EQ(FormatValue(2.5), "2.5");
  EXPECT_EQ(FormatValue(30), "30");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
}

TEST(EscapeLabelValueTest, EscapesBackslashQuoteAndLineFeed) {
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(EscapeLabelValue("plain"), "plain");
}

TEST(TextWriterTest, WritesFamiliesSamplesAndHistograms) {
  const double bounds[] = {0.5, 1};
  Histogram histogram(bounds);
  histogram.Observe(0.25);
  histogram.Observe(3);

  TextWriter out;
  out.Family("jobs_total", "counter", "Jobs run.\nSecond line \\ here.");
  out.Sample("jobs_total", {{"queue", "e\"mail"}, {"kind", "x"}}, uint64_t{3});
  out.Sample("jobs_total", {}, uint64_t{0});
  out.Family("temperature", "gauge", "Degrees.");
  out.Sample("temperature", {}, int64_t{-4});
  out.Sample("temperature", {{"room", "a"}}, 0.5);
  out.Family("wait_seconds", "histogram", "Waits.");
  out.HistogramSamples("wait_seconds", {{"queue", "q"}}, histogram);

  EXPECT_EQ(out.Release(),
            "# HELP jobs_total Jobs run.\\nSecond line \\\\ here.\n"
            "# TYPE jobs_total counter\n"
            "jobs_total{queue=\"e\\\"mail\",kind=\"x\"} 3\n"
            "jobs_total 0\n"
            "# HELP temperature Degrees.\n"
            "# TYPE temperature gauge\n"
            "temperature -4\n"
            "temperature{room=\"a\"} 0.5\n"
            "# HELP wait_seconds Waits.\n"
            "# TYPE wait_seconds histogram\n"
            "wait_seconds_bucket{queue=\"q\",le=\"0.5\"} 1\n"
            "wait_seconds_bucket{queue=\"q\",le=\"1\"} 1\n"
            "wait_seconds_bucket{queue=\"q\",le=\"+Inf\"} 2\n"
            "wait_seconds_sum{queue=\"q\"} 3.25\n"
            "wait_seconds_count{queue=\"q\"} 2\n");
}

}  // namespace
}  // namespace twilio_gateway::metrics
