// Secrets: what matches, what does not, and the tokens made for the admin port.

#include "tasq/access/secret.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace tasq::access {
namespace {

TEST(Secret, MatchesOnlyItself) {
  Secret secret("s3cret");
  EXPECT_FALSE(secret.empty());
  EXPECT_TRUE(secret.matches("s3cret"));
  EXPECT_FALSE(secret.matches("s3cre"));
  EXPECT_FALSE(secret.matches("s3crett"));
  EXPECT_FALSE(secret.matches("S3cret"));
  EXPECT_FALSE(secret.matches(""));
  EXPECT_FALSE(secret.matches(std::string("s3cret\0", 7)));
}

TEST(Secret, BinaryAndLongSecrets) {
  const std::string binary("a\0b\xff", 4);
  EXPECT_TRUE(Secret(binary).matches(binary));
  EXPECT_FALSE(Secret(binary).matches("a"));
  const std::string long_one(100000, 'x');
  EXPECT_TRUE(Secret(long_one).matches(long_one));
  EXPECT_FALSE(Secret(long_one).matches(long_one.substr(1)));
}

TEST(Secret, NoSecretMatchesNothing) {
  Secret none;
  EXPECT_TRUE(none.empty());
  EXPECT_FALSE(none.matches(""));
  EXPECT_FALSE(none.matches("anything"));
  // An empty secret set on purpose is still a secret: only "" matches.
  Secret blank("");
  EXPECT_FALSE(blank.empty());
  EXPECT_TRUE(blank.matches(""));
  EXPECT_FALSE(blank.matches("x"));
}

TEST(RandomToken, SixtyFourHexDigitsAndNeverTheSame) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string token = random_token();
    ASSERT_EQ(token.size(), 64U);
    EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos) << token;
    EXPECT_TRUE(seen.insert(token).second) << "repeated: " << token;
  }
}

}  // namespace
}  // namespace tasq::access
