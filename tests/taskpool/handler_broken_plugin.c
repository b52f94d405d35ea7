/* Plugins that tasq must refuse, one flaw each, chosen by a macro:
 * TASQ_TEST_WRONG_VERSION, TASQ_TEST_NO_TASK or TASQ_TEST_NO_VERSION. */
#include "tasq/handler.h"

#ifndef TASQ_TEST_NO_VERSION
int tasq_abi_version(void) {
#ifdef TASQ_TEST_WRONG_VERSION
  return TASQ_ABI_VERSION + 41;
#else
  return TASQ_ABI_VERSION;
#endif
}
#endif

#ifndef TASQ_TEST_NO_TASK
int tasq_task(const tasq_task_info *task, tasq_result *result) {
  (void)task;
  (void)result;
  return 0;
}
#endif

/* Present in every variant: finding it must not make a broken plugin pass. */
void tasq_finish(const tasq_finish_info *info) { (void)info; }
