# pipe: handlers under a real tasqd: the co-process life cycle with a test
# co-process that misbehaves on request, and the PHP and Python worker
# libraries' examples. Included by tests/integration/CMakeLists.txt.
tasq_add_test(pipe_life_test SOURCES pipe_life_test.cpp LIBS tasq_test_support
              LABELS integration TIMEOUT 300)
add_dependencies(pipe_life_test tasqctl)
tasq_add_test(pipe_libraries_test SOURCES pipe_libraries_test.cpp LIBS tasq_test_support
              LABELS integration TIMEOUT 300)
