#pragma once
// /metrics: the Prometheus text format, a third rendering of the
// StatsSnapshot that INFO and the admin `stats` JSON render, plus the
// histograms (buckets) of the task metrics and the process_* figures.

#include <string>

#include "stats_snapshot.h"
#include "tasq/metrics/process_figures.h"

namespace tasq::server {

class TaskMetrics;

std::string render_metrics(const StatsSnapshot& snapshot, const TaskMetrics& tasks,
                           const metrics::ProcessFigures& process);

}  // namespace tasq::server
