#include "static_files.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace apps {
namespace {

void write(const std::filesystem::path& p, std::string_view text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

TEST(PercentDecode, Basics) {
  EXPECT_EQ(percent_decode("a%20b"), "a b");
  EXPECT_EQ(percent_decode("%2e%2E"), "..");
  EXPECT_FALSE(percent_decode("%"));
  EXPECT_FALSE(percent_decode("%2"));
  EXPECT_FALSE(percent_decode("%zz"));
  EXPECT_FALSE(percent_decode("a%00b"));
}

TEST(SafePath, Normalises) {
  EXPECT_EQ(safe_relative_path("/"), std::filesystem::path());
  EXPECT_EQ(safe_relative_path("/index.html?x=1#y"), std::filesystem::path("index.html"));
  EXPECT_EQ(safe_relative_path("//assets/./app.js"), std::filesystem::path("assets/app.js"));
  EXPECT_EQ(safe_relative_path("/a%20b.txt"), std::filesystem::path("a b.txt"));
}

TEST(SafePath, RefusesTraversal) {
  for (auto bad : {"/..", "/../etc/passwd", "/assets/../../etc/passwd", "/%2e%2e/etc/passwd",
                   "/%2E%2E%2Fetc%2Fpasswd", "/..%2f..%2fetc/passwd", "/a/%2e%2e/%2e%2e/x",
                   "/..\\..\\etc\\passwd", "/a%5c..%5cb", "/index.html%00.png", "/%00",
                   "/bad%zzescape", "relative/path", "", "/a\x01b"}) {
    EXPECT_FALSE(safe_relative_path(bad)) << bad;
  }
}

TEST(MimeType, CommonTypes) {
  EXPECT_EQ(mime_type("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(mime_type("a/app.JS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(mime_type("x.css"), "text/css; charset=utf-8");
  EXPECT_EQ(mime_type("x.svg"), "image/svg+xml");
  EXPECT_EQ(mime_type("x.woff2"), "font/woff2");
  EXPECT_EQ(mime_type("noext"), "application/octet-stream");
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write(dir.path() / "web" / "index.html", "<html>app</html>");
    write(dir.path() / "web" / "assets" / "app-123.js", "console.log(1)");
    write(dir.path() / "web" / "docs" / "index.html", "<html>docs</html>");
    write(dir.path() / "web" / ".env", "SECRET=1");
    write(dir.path() / "secret.txt", "top secret");
    std::filesystem::create_symlink(dir.path() / "secret.txt", dir.path() / "web" / "link.txt");
  }
  test::temp_dir dir;
};

TEST_F(StaticFilesTest, ServesFilesWithTypes) {
  static_files s(dir.path() / "web");
  auto r = s.serve("/");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "<html>app</html>");
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");

  r = s.serve("/assets/app-123.js?v=1");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "console.log(1)");
  EXPECT_EQ(r.content_type, "text/javascript; charset=utf-8");

  r = s.serve("/docs/");
  EXPECT_EQ(r.body, "<html>docs</html>");
}

TEST_F(StaticFilesTest, FolderWithoutSlashRedirects) {
  static_files s(dir.path() / "web");
  auto r = s.serve("/docs");
  EXPECT_EQ(r.status, 301u);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Location", "/docs/"}));
  r = s.serve("/docs?lang=en");
  EXPECT_EQ(r.headers.at(0).second, "/docs/?lang=en");
  EXPECT_EQ(s.serve("/docs/?lang=en").body, "<html>docs</html>");
}

TEST_F(StaticFilesTest, HeadHasNoBody) {
  static_files s(dir.path() / "web");
  auto r = s.serve("/assets/app-123.js", true);
  EXPECT_EQ(r.status, 200u);
  EXPECT_TRUE(r.body.empty());
}

TEST_F(StaticFilesTest, SpaFallbackExceptAssets) {
  static_files s(dir.path() / "web");
  auto r = s.serve("/rooms/42");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "<html>app</html>");
  // The pages of the apps are routes of the single-page front end.
  for (auto page : {"/chat", "/editor", "/editor/doc-1", "/chat?room=3"}) {
    EXPECT_EQ(s.serve(page).body, "<html>app</html>") << page;
  }
  EXPECT_EQ(s.serve("/assets/missing.js").status, 404u);
}

TEST_F(StaticFilesTest, NeverEscapesTheRoot) {
  static_files s(dir.path() / "web");
  for (auto bad : {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt",
                   "/..%2fsecret.txt", "/secret.txt%00.html"}) {
    auto r = s.serve(bad);
    EXPECT_EQ(r.status, 400u) << bad;
    EXPECT_EQ(r.body.find("top secret"), std::string::npos) << bad;
  }
  // A symlink leading outside is not followed (falls back to the app page).
  auto r = s.serve("/link.txt");
  EXPECT_EQ(r.body.find("top secret"), std::string::npos);
  // Hidden files are not served.
  r = s.serve("/.env");
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.body.find("SECRET"), std::string::npos);
}

TEST_F(StaticFilesTest, PlaceholderWithoutBuiltFrontEnd) {
  static_files s(dir.path() / "missing");
  EXPECT_FALSE(s.has_index());
  auto r = s.serve("/");
  EXPECT_EQ(r.status, 200u);
  EXPECT_NE(r.body.find("make build"), std::string::npos);
}

}  // namespace
}  // namespace apps
