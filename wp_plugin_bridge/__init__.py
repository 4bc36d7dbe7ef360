"""The WordPress plugin (PHP, in ``plugin/luxebrain``), its zip builder and the plugin<->agent
protocol: :mod:`wp_plugin_bridge.signing` (signed calls) and :mod:`wp_plugin_bridge.pairing`."""
