#!/usr/bin/env bash
# Debian packages the tests need: Chromium for browser tests; PHP, WordPress, PHPUnit and the
# MariaDB client for the plugin. Installs only what is missing (needs root, as in CI).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v php >/dev/null 2>&1 || need+=(php-cli)
[ -d /usr/share/wordpress ] || need+=(wordpress)
command -v phpunit >/dev/null 2>&1 || need+=(phpunit)
command -v mariadb >/dev/null 2>&1 || need+=(mariadb-client)
for ext in mysqli curl xml mbstring; do
  php -m 2>/dev/null | grep -qi "^$ext\$" || need+=("php-${ext/mysqli/mysql}")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ -x scripts/wordpress/install.sh ]; then
  bash scripts/wordpress/install.sh
fi
