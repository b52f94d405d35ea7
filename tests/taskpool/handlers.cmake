# The handler tests, included by tests/taskpool/CMakeLists.txt. They load real
# plugins, so the plugins they need are built here too: a well-behaved test
# plugin, three broken ones, and examples/plugin as users would build it.

set(_handler_tests_dir ${CMAKE_CURRENT_LIST_DIR})
get_filename_component(_tasq_root ${CMAKE_CURRENT_LIST_DIR}/../.. ABSOLUTE)

tasq_add_plugin(handler_test_plugin ${_handler_tests_dir}/handler_test_plugin.c)
tasq_add_plugin(handler_test_plugin_wrong_version ${_handler_tests_dir}/handler_broken_plugin.c
                DEFINITIONS TASQ_TEST_WRONG_VERSION)
tasq_add_plugin(handler_test_plugin_no_task ${_handler_tests_dir}/handler_broken_plugin.c
                DEFINITIONS TASQ_TEST_NO_TASK)
tasq_add_plugin(handler_test_plugin_no_version ${_handler_tests_dir}/handler_broken_plugin.c
                DEFINITIONS TASQ_TEST_NO_VERSION)

add_subdirectory(${_tasq_root}/examples/plugin ${CMAKE_CURRENT_BINARY_DIR}/example_plugin)

tasq_add_test(handler_tests
  SOURCES
    ${_handler_tests_dir}/handler_echo_test.cpp
    ${_handler_tests_dir}/handler_exec_test.cpp
    ${_handler_tests_dir}/handler_exec_group_test.cpp
    ${_handler_tests_dir}/handler_plugin_test.cpp
    ${_handler_tests_dir}/handler_example_plugin_test.cpp
  LIBS tasq::taskpool ${CMAKE_DL_LIBS}
  LABELS taskpool)
target_compile_definitions(handler_tests PRIVATE
  TASQ_TEST_PLUGIN="$<TARGET_FILE:handler_test_plugin>"
  TASQ_TEST_PLUGIN_WRONG_VERSION="$<TARGET_FILE:handler_test_plugin_wrong_version>"
  TASQ_TEST_PLUGIN_NO_TASK="$<TARGET_FILE:handler_test_plugin_no_task>"
  TASQ_TEST_PLUGIN_NO_VERSION="$<TARGET_FILE:handler_test_plugin_no_version>"
  TASQ_TEST_NOT_A_LIBRARY="${_handler_tests_dir}/handler_test_plugin.c"
  TASQ_EXAMPLE_PLUGIN="$<TARGET_FILE:tasq_example_plugin>")
add_dependencies(handler_tests
  handler_test_plugin handler_test_plugin_wrong_version handler_test_plugin_no_task
  handler_test_plugin_no_version tasq_example_plugin)
