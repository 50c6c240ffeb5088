#include "crictl.hpp"

namespace kubecert::kubeadm {

bool crictl_lists_container(std::string_view ps_output, std::string_view name) {
    bool header = true;
    size_t pos = 0;
    while (pos < ps_output.size()) {
        auto end = ps_output.find('\n', pos);
        if (end == std::string_view::npos) end = ps_output.size();
        const auto line = ps_output.substr(pos, end - pos);
        pos = end + 1;
        // The first non-empty line is the column header ("CONTAINER IMAGE ... NAME ...").
        if (header) {
            if (line.find_first_not_of(" \t\r") != std::string_view::npos) header = false;
            if (line.find("CONTAINER") != std::string_view::npos) continue;
        }
        size_t i = 0;
        while (i < line.size()) {
            while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
            size_t j = i;
            while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
            if (j > i && line.substr(i, j - i) == name) return true;
            i = j;
        }
    }
    return false;
}

} // namespace kubecert::kubeadm
