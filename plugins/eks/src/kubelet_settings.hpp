#pragma once

#include <kubecert/checks/kubelet_merge.hpp>

#include "node_sources.hpp"

// The kubelet's merge order, from the shared engine (kubecert/checks/kubelet_merge.hpp).
namespace kubecert::eks {

using checks::find_flags;
using checks::FlagHit;
using checks::Layer;
using checks::Rank;
using checks::resolve_feature_gate;
using checks::resolve_field;
using checks::Setting;
using checks::value_text;

} // namespace kubecert::eks
