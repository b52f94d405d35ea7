# The pipe: worker libraries, one file each, and their examples, installed
# under <prefix>/share/tasq/{php,python}/ (the examples find the library one
# directory up). Included by clients/CMakeLists.txt.
include(GNUInstallDirs)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/php/TasqWorker.php
        DESTINATION ${CMAKE_INSTALL_DATADIR}/tasq/php)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/php/examples/worker.php
        DESTINATION ${CMAKE_INSTALL_DATADIR}/tasq/php/examples)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/python/tasq_worker.py
        DESTINATION ${CMAKE_INSTALL_DATADIR}/tasq/python)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/python/examples/worker.py
        DESTINATION ${CMAKE_INSTALL_DATADIR}/tasq/python/examples)
