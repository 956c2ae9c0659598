#include "kvtrace/replay/url.hpp"

#include <gtest/gtest.h>

#include "kvtrace/core/error.hpp"

namespace kvtrace::replay {
namespace {

TEST(Url, HttpWithPortAndBase) {
  const Url u = Url::parse("http://localhost:8000/api/");
  EXPECT_FALSE(u.tls);
  EXPECT_EQ(u.host, "localhost");
  EXPECT_EQ(u.port, 8000);
  EXPECT_EQ(u.base_path, "/api");
  EXPECT_EQ(u.host_header(), "localhost:8000");
}

TEST(Url, HttpsDefaultsToPort443) {
  const Url u = Url::parse("https://api.example.com");
  EXPECT_TRUE(u.tls);
  EXPECT_EQ(u.port, 443);
  EXPECT_EQ(u.base_path, "");
  EXPECT_EQ(u.host_header(), "api.example.com");
}

TEST(Url, Ipv6Literal) {
  const Url u = Url::parse("http://[::1]:9000");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 9000);
  EXPECT_EQ(u.host_header(), "[::1]:9000");
}

TEST(Url, Rejects) {
  for (const char* bad : {"ftp://x", "localhost:8000", "http://", "http://h:0", "http://h:70000",
                          "http://h:", "http://h:8x", "http://[::1"}) {
    EXPECT_THROW(Url::parse(bad), UsageError) << bad;
  }
}

}  // namespace
}  // namespace kvtrace::replay
