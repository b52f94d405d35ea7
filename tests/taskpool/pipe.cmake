# The pipe: handler's tests, included by tests/taskpool/CMakeLists.txt: the
# worker protocol's frame codec alone, and the runner with real co-processes.

tasq_add_test(pipe_frame_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/pipe_frame_test.cpp
  LIBS tasq::taskpool
  LABELS taskpool)
target_include_directories(pipe_frame_tests PRIVATE ${PROJECT_SOURCE_DIR}/taskpool/src)

# The runner with a real co-process: pipe_test_worker.py answers, fails, dies,
# stalls or breaks the protocol as each payload asks.
tasq_add_test(pipe_handler_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/handler_pipe_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/pipe_output_test.cpp
  LIBS tasq::taskpool spdlog::spdlog
  LABELS taskpool
  TIMEOUT 180)
target_include_directories(pipe_handler_tests PRIVATE ${PROJECT_SOURCE_DIR}/taskpool/src)
target_compile_definitions(pipe_handler_tests PRIVATE
  TASQ_PIPE_TEST_WORKER="${CMAKE_CURRENT_LIST_DIR}/pipe_test_worker.py"
  TASQ_BINARY_DIR_FOR_TESTS="${PROJECT_BINARY_DIR}")
