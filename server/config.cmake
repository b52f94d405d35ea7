# tasq::config — the Config struct, its directive table, the config file
# reader and the command line. Its own library so that tests (and tasqctl,
# if it wants endpoints) link it without the reactor.
add_library(tasq_config STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/config_directives.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_endpoint.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_file.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_options.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_parse.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_validate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_values.cpp)
add_library(tasq::config ALIAS tasq_config)
tasq_target_defaults(tasq_config)
target_include_directories(tasq_config
  PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include
  PRIVATE ${CMAKE_CURRENT_LIST_DIR}/src)
target_link_libraries(tasq_config PRIVATE Boost::program_options fmt::fmt tasq::schedule)
