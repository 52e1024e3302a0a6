// The one way the browser tests start Debian's headless Chromium through
// playwright-core (the system browser: nothing is downloaded).
import { chromium } from "playwright-core";

// The machine's closed network refuses Chromium's background connections;
// these flags keep it from trying.
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
