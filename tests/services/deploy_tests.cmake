# deploy/ validated without Docker (included from tests/CMakeLists.txt): Prometheus's own checks
# of the config and the rules, promtool unit tests of the alerts, and deploy_check.py (compose
# YAML, Dockerfiles, scrape targets, dashboard JSON). promtool comes from Debian's prometheus
# package, PyYAML from python3-yaml (scripts/install-deps).
set(_deploy ${PROJECT_SOURCE_DIR}/deploy)
add_test(NAME "deploy: promtool check config"
  COMMAND promtool check config ${_deploy}/prometheus/prometheus.yml)
add_test(NAME "deploy: promtool check rules"
  COMMAND promtool check rules ${_deploy}/prometheus/rules/hrl.yml
    ${_deploy}/prometheus/rules/broadcast.yml ${_deploy}/prometheus/rules/services.yml)
add_test(NAME "deploy: promtool test rules (alert thresholds)"
  COMMAND promtool test rules ${_deploy}/prometheus/rules_test.yml)
add_test(NAME "deploy: compose, Dockerfiles, scrape targets and dashboard"
  COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/services/deploy_check.py ${PROJECT_SOURCE_DIR})
# The Dockerfiles install every Debian package the built service binaries load (readelf -d,
# dpkg -S, apt-cache's dependency closure) and every build package of scripts/install-deps.
add_test(NAME "deploy: Dockerfiles install the packages the service binaries load"
  COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/services/docker_packages_check.py
    ${PROJECT_SOURCE_DIR} $<TARGET_FILE:adapter-svc> $<TARGET_FILE:agent-svc>
    $<TARGET_FILE:broadcast-svc>)
# services/README.md documents every flag of the three services' --help, and names no other.
add_test(NAME "services: README documents exactly the services' flags"
  COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/services/readme_flags_check.py
    ${PROJECT_SOURCE_DIR}/services/README.md $<TARGET_FILE:adapter-svc> $<TARGET_FILE:agent-svc>
    $<TARGET_FILE:broadcast-svc>)
set_tests_properties("deploy: promtool check config" "deploy: promtool check rules"
  "deploy: promtool test rules (alert thresholds)"
  "deploy: compose, Dockerfiles, scrape targets and dashboard"
  "deploy: Dockerfiles install the packages the service binaries load"
  "services: README documents exactly the services' flags"
  PROPERTIES LABELS fast TIMEOUT 60)
