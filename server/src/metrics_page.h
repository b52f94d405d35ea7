#pragma once
// /metrics: the Prometheus text format, rendered from the figures the
// server already keeps (the StatsSnapshot that INFO and the admin `stats`
// render too) plus the task metrics' histograms and per-queue series, and
// the process_* figures.

#include <string>

#include "tasq/metrics/process_figures.h"

namespace tasq::server {

class TaskMetrics;

std::string render_metrics(const TaskMetrics& tasks, const metrics::ProcessFigures& process);

}  // namespace tasq::server
