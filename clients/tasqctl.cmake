add_executable(tasqctl tasqctl.cpp admin_client.cpp tasqctl_format.cpp)
tasq_target_defaults(tasqctl)
target_link_libraries(tasqctl PRIVATE tasq::config Boost::program_options nlohmann_json::nlohmann_json
                                      fmt::fmt)
install(TARGETS tasqctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
