# Unit tests of tasq::config; included by tests/server/CMakeLists.txt.
tasq_add_test(config_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/config_tests.cpp
  LIBS tasq_config)
