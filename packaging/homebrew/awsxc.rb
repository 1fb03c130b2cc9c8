# Homebrew cask template for awsxc.app, the menu bar app. For a release, copy
# it to the tap as Casks/awsxc.rb and replace the placeholders (see
# packaging/README.md):
#   @VERSION@      the release version without "v", e.g. 1.2.3
#   @APP_SHA256@   sha256 of awsxc_<version>_macos_universal.zip, the zipped
#                  awsxc.app that is built on a Mac and attached to the release
cask "awsxc" do
  version "@VERSION@"
  sha256 "@APP_SHA256@"

  url "https://github.com/awsxc/awsxc/releases/download/v#{version}/awsxc_#{version}_macos_universal.zip"
  name "awsxc"
  desc "AWS credentials from a profile, from the menu bar"
  homepage "https://github.com/awsxc/awsxc"

  depends_on macos: ">= :monterey"

  app "awsxc.app"

  # platform/autostart_darwin.go names the "Start at login" LaunchAgent
  # io.github.awsxc, which is also the bundle identifier (macos/Info.plist);
  # platform/paths.go keeps settings and state under "awsxc".
  uninstall quit:      "io.github.awsxc",
            launchctl: "io.github.awsxc"

  zap trash: [
    "~/Library/Application Support/awsxc",
    "~/Library/Caches/awsxc",
    "~/Library/LaunchAgents/io.github.awsxc.plist",
  ]
end
