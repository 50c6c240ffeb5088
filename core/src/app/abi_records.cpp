#include "app/abi_records.hpp"

#include <string>

namespace kubecert::app {

namespace {

constexpr size_t k_evidence_item_1_4_size = KUBECERT_SIZE_UNTIL(kubecert_evidence_item_t, expected);
constexpr uint32_t k_max_stride = 64 * 1024;

std::string str(const char* s) {
    return s ? std::string(s) : std::string();
}

} // namespace

util::Result<std::vector<report::Evidence>> read_evidence(const kubecert_finding_t& f) {
    std::vector<report::Evidence> out;
    if (KUBECERT_HAS_FIELD(&f, kubecert_finding_t, evidence_item_count) && f.evidence_items) {
        const uint32_t stride = f.evidence_item_count ? f.evidence_items[0].struct_size : 0;
        if (f.evidence_item_count && (stride < k_evidence_item_1_4_size || stride > k_max_stride))
            return util::make_error(util::ErrorCode::invalid, "report_finding: evidence_items have struct_size " +
                                                                  std::to_string(stride) + " (want " +
                                                                  std::to_string(k_evidence_item_1_4_size) + " to " +
                                                                  std::to_string(k_max_stride) + ")");
        for (size_t i = 0; i < f.evidence_item_count; ++i) {
            const auto* e = KUBECERT_ELEMENT(kubecert_evidence_item_t, f.evidence_items, stride, i);
            out.push_back({str(e->source), str(e->key), str(e->actual), str(e->expected)});
        }
        return out;
    }
    for (size_t i = 0; i < f.evidence_count && f.evidence; ++i) {
        const auto& e = f.evidence[i];
        out.push_back({str(e.source), str(e.key), str(e.actual), str(e.expected)});
    }
    return out;
}

std::vector<kubecert_process_info_t> process_infos(const kubecert_process_t* processes, size_t count) {
    std::vector<kubecert_process_info_t> out;
    out.reserve(count);
    for (size_t i = 0; i < count; ++i)
        out.push_back({sizeof(kubecert_process_info_t), processes[i].pid, processes[i].argv});
    return out;
}

} // namespace kubecert::app
