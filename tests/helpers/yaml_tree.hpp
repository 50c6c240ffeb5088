#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

namespace kubecert::test {

// The tree as text, keys in file order, so that two parses compare equal
// only when every key, value and order match (to check that an edit changed
// nothing but what it should).
inline std::string canonical(const YAML::Node& node) {
    switch (node.Type()) {
    case YAML::NodeType::Map: {
        std::string out = "{";
        for (const auto& kv : node) out += canonical(kv.first) + ":" + canonical(kv.second) + ",";
        return out + "}";
    }
    case YAML::NodeType::Sequence: {
        std::string out = "[";
        for (const auto& item : node) out += canonical(item) + ",";
        return out + "]";
    }
    case YAML::NodeType::Scalar: return "'" + node.Scalar() + "'";
    default: return "~";
    }
}

} // namespace kubecert::test
