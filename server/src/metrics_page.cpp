#include "metrics_page.h"

#include "task_metrics.h"
#include "tasq/metrics/text_writer.h"

namespace tasq::server {
namespace {

using metrics::Type;

void process_families(metrics::TextWriter& w, const metrics::ProcessFigures& p) {
  w.single("process_cpu_seconds_total", Type::counter,
           "Total user and system CPU time spent in seconds.", p.cpu_seconds);
  w.single("process_resident_memory_bytes", Type::gauge, "Resident memory size in bytes.",
           p.resident_bytes);
  w.single("process_virtual_memory_bytes", Type::gauge, "Virtual memory size in bytes.",
           p.virtual_bytes);
  w.single("process_open_fds", Type::gauge, "Number of open file descriptors.", p.open_fds);
  w.single("process_max_fds", Type::gauge, "Maximum number of open file descriptors.", p.max_fds);
  w.single("process_start_time_seconds", Type::gauge,
           "Start time of the process since unix epoch in seconds.", p.start_time_seconds);
}

void queue_families(metrics::TextWriter& w, const metrics::QueueTable& table) {
  struct Counter {
    std::string_view name;
    std::string_view help;
    std::uint64_t metrics::QueueCounters::*field;
  };
  static constexpr Counter kCounters[] = {
      {"tasq_queue_enqueued_total", "Tasks accepted, by queue.", &metrics::QueueCounters::enqueued},
      {"tasq_queue_completed_total", "Tasks that ended successfully, by queue.",
       &metrics::QueueCounters::completed},
      {"tasq_queue_failed_total", "Attempts that failed (each retry counts), by queue.",
       &metrics::QueueCounters::failed},
      {"tasq_queue_dead_total", "Tasks dead-lettered, by queue.", &metrics::QueueCounters::dead},
  };
  const auto each = [&](auto&& emit) {
    for (const auto& [name, counters] : table.named()) emit(std::string_view(name), counters);
    emit(metrics::QueueTable::kOther, table.other());
  };
  for (const auto& counter : kCounters) {
    w.family(counter.name, Type::counter, counter.help);
    each([&](std::string_view queue, const metrics::QueueCounters& c) {
      w.sample({{"queue", queue}}, c.*counter.field);
    });
  }
  w.family("tasq_queue_wait_seconds", Type::histogram,
           "Seconds from entering the ring to the start of an attempt, by queue.");
  each([&](std::string_view queue, const metrics::QueueCounters& c) {
    w.histogram({{"queue", queue}}, c.wait);
  });
  w.family("tasq_queue_run_seconds", Type::histogram,
           "Seconds from the start of an attempt to its end, by queue.");
  each([&](std::string_view queue, const metrics::QueueCounters& c) {
    w.histogram({{"queue", queue}}, c.run);
  });
}

}  // namespace

std::string render_metrics(const TaskMetrics& tasks, const metrics::ProcessFigures& process) {
  std::string out;
  out.reserve(64 * 1024);
  metrics::TextWriter w(out);
  w.family("tasq_task_wait_seconds", Type::histogram,
           "Seconds from entering the ring (push, retry, due) to the start of an attempt.");
  w.histogram({}, tasks.wait());
  w.family("tasq_task_run_seconds", Type::histogram,
           "Seconds from the start of an attempt to its end.");
  w.histogram({}, tasks.run());
  queue_families(w, tasks.queues());
  process_families(w, process);
  return out;
}

}  // namespace tasq::server
