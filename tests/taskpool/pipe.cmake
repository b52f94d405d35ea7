# The pipe: handler's tests, included by tests/taskpool/CMakeLists.txt: the
# worker protocol's frame codec alone, and the runner with real co-processes.

tasq_add_test(pipe_frame_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/pipe_frame_test.cpp
  LIBS tasq::taskpool
  LABELS taskpool)
target_include_directories(pipe_frame_tests PRIVATE ${PROJECT_SOURCE_DIR}/taskpool/src)

