#!/usr/bin/env bash
# Install what the WordPress and browser tests need, from Debian's packages only.
# WooCommerce is not installable here: tests use the test-only shim in tests/wordpress/shim/.
# Idempotent: skips apt when every package is already installed.
set -euo pipefail

PACKAGES=(wordpress php php-cli php-mysql php-curl php-xml php-mbstring phpunit mariadb-client chromium)

missing=()
for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if ((${#missing[@]})); then
    SUDO=""
    [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -q
    # --no-install-recommends keeps apache2 and a local mysql server out: tests serve WordPress
    # with `php -S` and use the MariaDB server already running on 127.0.0.1:3306.
    $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
fi

php --version | head -1
test -f /usr/share/wordpress/wp-settings.php
test -x /usr/bin/chromium
echo "wordpress test dependencies ready"
