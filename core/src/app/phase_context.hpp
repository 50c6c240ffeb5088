// PhaseContext: what one phase of a run (detect, audit, fix, the audit after
// a fix) shows the plugins, made once by the orchestrator and never changed:
// the evaluation instant, the one view of the node's files, in the fix phase
// only the transaction through which the node may change, and in the audit
// after a fix the finding ids each plugin fixed (kubecert.run.v1).
#pragma once

#include <cstdint>
#include <utility>

#include "app/fixed_findings.hpp"
#include "host/node_view.hpp"
#include "host/transaction.hpp"

namespace kubecert::app {

enum class PhaseKind { detect, audit, fix, after_fix };

class PhaseContext {
public:
    // detect or audit outside a fix: the files as they are, no change allowed.
    static PhaseContext reading(PhaseKind kind, const host::RootFs& fs, std::int64_t now) {
        return PhaseContext(kind, now, host::NodeView(fs), nullptr, {});
    }
    // The fix: reads see its changes so far; changes go through `transaction`.
    static PhaseContext fixing(host::Transaction& transaction, const host::RootFs& fs, std::int64_t now) {
        return PhaseContext(PhaseKind::fix, now, host::NodeView(fs, &transaction), &transaction, {});
    }
    // The audit after a fix: reads see what the fix left (under dry-run, its overlay); no change allowed.
    // `fixed`: what each plugin's fix() did successfully, empty when the fix was rolled back.
    static PhaseContext after_fix(const host::Transaction& transaction, const host::RootFs& fs, std::int64_t now,
                                  FixedFindings fixed) {
        return PhaseContext(PhaseKind::after_fix, now, host::NodeView(fs, &transaction), nullptr, std::move(fixed));
    }

    PhaseKind kind() const { return m_kind; }
    // The evaluation instant of this phase (unix seconds).
    std::int64_t now() const { return m_now; }
    const host::NodeView& node() const { return m_node; }
    // The fix's transaction in the fix phase; nullptr in every other phase.
    host::Transaction* transaction() const { return m_transaction; }
    // The finding ids each plugin fixed in this run: filled in the audit after a fix only.
    const FixedFindings& fixed() const { return m_fixed; }

private:
    PhaseContext(PhaseKind kind, std::int64_t now, host::NodeView node, host::Transaction* transaction,
                 FixedFindings fixed)
        : m_kind(kind), m_now(now), m_node(node), m_transaction(transaction), m_fixed(std::move(fixed)) {}

    const PhaseKind m_kind;
    const std::int64_t m_now;
    const host::NodeView m_node;
    host::Transaction* const m_transaction;
    const FixedFindings m_fixed;
};

} // namespace kubecert::app
