# Installs the plugin ABI header, so that plugins build against
# <prefix>/include/tasq/handler.h. Included by taskpool/CMakeLists.txt.
include(GNUInstallDirs)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/include/tasq/handler.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tasq)
