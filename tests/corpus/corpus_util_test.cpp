// Hashing, UTF-8 checks, splits, licences and docstring tokens of the corpus builder.
#include <gtest/gtest.h>

#include "codessm/corpus/content_check.h"
#include "codessm/corpus/corpus_builder.h"
#include "codessm/corpus/licence.h"
#include "codessm/corpus/records.h"
#include "codessm/corpus/sha256.h"

using namespace codessm::corpus;

TEST(Sha256, MatchesFipsVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  Sha256 h;  // a million 'a's, fed in uneven pieces to exercise the buffering
  std::string chunk(999, 'a');
  for (int i = 0; i < 1002; ++i) h.update(std::string_view(chunk).substr(0, i == 1001 ? 1 : 999));  // 1001·999 + 1
  EXPECT_EQ(h.hex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(ContentCheck, Utf8AndBinary) {
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xC3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("latin1 \xE9t\xE9"));
  EXPECT_EQ(check_content(""), ContentIssue::kEmpty);
  EXPECT_EQ(check_content(std::string("a\0b", 3)), ContentIssue::kBinary);
  EXPECT_EQ(check_content("x = 1\n"), ContentIssue::kOk);
}

TEST(Split, DeterministicAndProportional) {
  std::map<std::string, int> n;
  for (int i = 0; i < 4000; ++i) ++n[split_for_hash(sha256_hex(std::to_string(i)), 50, 50)];
  EXPECT_NEAR(n["train"], 3600, 120);
  EXPECT_NEAR(n["valid"], 200, 60);
  EXPECT_NEAR(n["test"], 200, 60);
  EXPECT_EQ(split_for_hash(sha256_hex("x"), 50, 50), split_for_hash(sha256_hex("x"), 50, 50));
  EXPECT_EQ(split_for_hash(sha256_hex("x"), 0, 0), "train");
}

TEST(Licence, Dep5Parsing) {
  const std::string dep5 =
      "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
      "Files: debian/*\nLicense: GPL-2+\n\nFiles: *\nCopyright: someone\nLicense: PSF-2\n";
  EXPECT_EQ(dep5_licence(dep5), "PSF-2");
  EXPECT_EQ(dep5_licence("This is free software, see /usr/share/common-licenses.\n"), "");
}

TEST(Licence, FindsDebianPackageOfPythonStdlib) {
  if (!std::filesystem::exists("/usr/lib/python3.11/json")) GTEST_SKIP() << "no Python 3.11 stdlib here";
  auto l = find_licence("/usr/lib/python3.11/json");
  EXPECT_FALSE(l.debian_package.empty());
  EXPECT_NE(l.debian_package.find("python3.11"), std::string::npos) << l.debian_package;
  EXPECT_EQ(l.licence.rfind("PSF-2.0", 0), 0u) << l.licence;  // Debian's python copyright is not DEP-5
}

TEST(Records, DocstringTokensAndJsonFieldOrder) {
  EXPECT_EQ(docstring_tokens("Return the sum(a, b).\n\nDetails here."),
            (std::vector<std::string>{"Return", "the", "sum", "(", "a", ",", "b", ")", "."}));
  FunctionRecord r;
  r.repo = "r";
  r.func_name = "f";
  r.code_tokens = {"def", "f"};
  const auto line = to_json_line(r);
  EXPECT_EQ(line.find("{\"repo\":\"r\",\"path\":\"\",\"func_name\":\"f\""), 0u) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
}
