#pragma once

#include <stdexcept>
#include <string>

namespace kubecert::formats {

// Malformed input: names the source (a node path) and the 1-based position.
// what() reads "FILE:LINE:COLUMN: MESSAGE" (line/column left out when 0).
class ParseError : public std::runtime_error {
public:
    ParseError(std::string source, int line, int column, const std::string& message);
    const std::string& source() const noexcept { return m_source; }
    int line() const noexcept { return m_line; }
    int column() const noexcept { return m_column; }
    const std::string& message() const noexcept { return m_message; }

private:
    std::string m_source;
    int m_line;
    int m_column;
    std::string m_message;
};

// 1-based line and column of byte `offset` in `text`.
std::pair<int, int> line_column_at(std::string_view text, size_t offset);

} // namespace kubecert::formats
