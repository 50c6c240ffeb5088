// Bytes from hostile peers in reports: no terminal escape reaches a person,
// the JUnit report stays well-formed XML, and ordinary text is untouched.
#include <gtest/gtest.h>

#include <pugixml.hpp>

#include "report/printable.hpp"
#include "report/writers.hpp"
#include "report_samples.hpp"

using namespace kubecert::report;
using namespace kubecert::test::samples;

namespace {

// An audit whose served certificate subject and configz answer carry control
// characters and bytes that are not UTF-8.
Report hostile_report() {
    Report r = audit_report();
    r.findings[2].evidence[0].actual = "CN=\x1b]0;owned\x07\x1b[2J\x9b"
                                       "31m\xff\xfe node";
    r.findings[3].evidence[0].actual = "{\"kind\":\"\x01\x02\x1b[31m\"}";
    r.certificates[0].subject = "CN=evil\x1b[8m\r\x7f";
    r.errors = {"served certificate \x1b[2J"};
    return r;
}

} // namespace

TEST(ReportPrintable, ControlCharactersAndBrokenUtf8AreShownAsHex) {
    EXPECT_EQ(printable("a\x1b[31mb\x07"), "a\\x1b[31mb\\x07");
    EXPECT_EQ(printable("\xff\xc2"), "\\xff\\xc2");
    EXPECT_EQ(printable("\xc2\x9b"
                        "1m"),
              "\\xc2\\x9b1m"); // C1 CSI
    EXPECT_EQ(printable("Zürich – ✓ 日本\ttab"), "Zürich – ✓ 日本\ttab");
    EXPECT_EQ(printable("two\nlines"), "two\\x0alines");
    EXPECT_EQ(printable("two\nlines", true), "two\nlines");
    EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80"); // a UTF-16 surrogate is no UTF-8
}

TEST(ReportPrintable, TextReportAndCertsTableCarryNoRawControlByte) {
    Report r = hostile_report();
    r.findings[1].result = "serverTLSBootstrap=\x1b[2Jfalse\x9b";
    TextOptions verbose; // the hostile evidence is a WARN's, shown with -v
    verbose.verbose = true;
    for (const auto& out : {render_text(r, verbose), render_certs_table(r)}) {
        for (const char c : out) {
            const auto u = static_cast<unsigned char>(c);
            EXPECT_TRUE(u >= 0x20 || c == '\n' || c == '\t') << "raw byte " << int(u) << " in:\n" << out;
            EXPECT_NE(u, 0x7f);
        }
    }
    EXPECT_NE(render_text(r, verbose).find("CN=\\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\xff\\xfe node"), std::string::npos);
    EXPECT_NE(render_text(r, verbose).find("serverTLSBootstrap=\\x1b[2Jfalse\\x9b"), std::string::npos);
}

TEST(ReportPrintable, JunitWithHostileBytesIsWellFormedXml) {
    const auto xml = render_junit(hostile_report());
    pugi::xml_document doc;
    const auto parsed = doc.load_string(xml.c_str());
    ASSERT_TRUE(parsed) << parsed.description() << "\n" << xml;
    EXPECT_NE(xml.find("\\x1b"), std::string::npos);
    for (const char c : xml) {
        const auto u = static_cast<unsigned char>(c);
        EXPECT_TRUE(u >= 0x20 || c == '\n' || c == '\t' || c == '\r')
            << "byte " << int(u) << " is not allowed in XML 1.0";
    }
}
