#include <kubecert/formats/parse_error.hpp>

#include <string_view>

namespace kubecert::formats {

namespace {

// "FILE:LINE:COLUMN: MESSAGE", leaving out the position parts that are unknown (0).
std::string compose(const std::string& source, int line, int column, const std::string& message) {
    std::string out = source;
    if (line > 0) {
        out += ":" + std::to_string(line);
        if (column > 0) out += ":" + std::to_string(column);
    }
    out += ": " + message;
    return out;
}

} // namespace

ParseError::ParseError(std::string source, int line, int column, const std::string& message)
    : std::runtime_error(compose(source, line, column, message)), m_source(std::move(source)), m_line(line),
      m_column(column), m_message(message) {}

std::pair<int, int> line_column_at(std::string_view text, size_t offset) {
    if (offset > text.size()) offset = text.size();
    int line = 1;
    int column = 1;
    for (size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return {line, column};
}

} // namespace kubecert::formats
