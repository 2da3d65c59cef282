"""How the browser tests and benchmarks start Debian's Chromium headless (Playwright)."""

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic",
         "--use-angle=swiftshader", "--enable-unsafe-swiftshader",  # WebGL on the CPU
         "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]  # a camera
