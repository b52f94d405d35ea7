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

# The PHP and Python worker libraries' examples in a real pool of real
# workers, and their frames against the fuzzer's seeds.
tasq_add_test(pipe_library_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/pipe_library_test.cpp
  LIBS tasq::taskpool
  LABELS taskpool
  TIMEOUT 180)
target_include_directories(pipe_library_tests PRIVATE ${PROJECT_SOURCE_DIR}/taskpool/src)
target_compile_definitions(pipe_library_tests PRIVATE
  TASQ_POOL_TEST_WORKER="$<TARGET_FILE:pool_test_worker>"
  TASQ_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_dependencies(pipe_library_tests pool_test_worker)
