# Homebrew formula template for awsxc-cli, built from the release's source
# archive. For a release, copy it to the tap as Formula/awsxc-cli.rb and
# replace the placeholders (see packaging/README.md):
#   @VERSION@         the release version without "v", e.g. 1.2.3
#   @SOURCE_SHA256@   sha256 of the tag's source archive:
#                     curl -sL <url> | shasum -a 256
class AwsxcCli < Formula
  desc "Export AWS credentials from a profile to other programs"
  homepage "https://github.com/awsxc/awsxc"
  url "https://github.com/awsxc/awsxc/archive/refs/tags/v@VERSION@.tar.gz"
  sha256 "@SOURCE_SHA256@"
  license "MIT"
  head "https://github.com/awsxc/awsxc.git", branch: "main"

  depends_on "go" => :build

  def install
    # The CLI needs no cgo; only the tray (the awsxc cask) does.
    ENV["CGO_ENABLED"] = "0"
    system "go", "build", *std_go_args(ldflags: "-s -w -X main.version=#{version}"), "./cmd/awsxc-cli"
    generate_completions_from_executable(bin/"awsxc-cli", "completion")
    inreplace "packaging/man/awsxc-cli.1", "@VERSION@", version.to_s
    man1.install "packaging/man/awsxc-cli.1"
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/awsxc-cli --version")
  end
end
