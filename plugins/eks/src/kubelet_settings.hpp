#pragma once

#include <kubecert/kubelet/merge.hpp>

#include "node_sources.hpp"

// The kubelet's merge order, from the shared engine (kubecert/kubelet/merge.hpp).
namespace kubecert::eks {

using kubelet::find_flags;
using kubelet::FlagHit;
using kubelet::Layer;
using kubelet::Rank;
using kubelet::resolve_feature_gate;
using kubelet::resolve_field;
using kubelet::Setting;
using kubelet::value_text;

} // namespace kubecert::eks
