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

  # The label and paths must match what the app writes ("Start at login"
  # creates a LaunchAgent); check them against platform/ before a release.
  uninstall quit:      "dev.awsxc.awsxc",
            launchctl: "dev.awsxc.awsxc"

  zap trash: [
    "~/Library/Caches/awsxc",
    "~/Library/LaunchAgents/dev.awsxc.awsxc.plist",
  ]
end
