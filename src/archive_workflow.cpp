// complaintkit — archive snapshots from the workflow engine: state and SLA deadlines as a
// pure function of the complaint's record and event history.
#include <complaintkit/archive.hpp>
#include <complaintkit/workflow.hpp>

#include "json_internal.hpp"

namespace ck {

namespace json = boost::json;

SnapshotDeriver sla_snapshot_deriver(std::shared_ptr<const Workflow> workflow) {
    if (!workflow) throw Error(ErrorCode::invalid_argument, "sla_snapshot_deriver needs a workflow");
    return [wf = std::move(workflow)](const Complaint& c) {
        Timestamp as_of = c.received_at;
        if (!c.events.empty() && as_of < c.events.back().at) as_of = c.events.back().at;
        WorkflowState st;
        try {
            st = wf->state(c, as_of);
        } catch (const Error& e) {
            // A history this workflow cannot replay (recorded by another system, say) is still
            // archived: the snapshot falls back to the built-in derivation and says why.
            Snapshot s = default_snapshot(c);
            s.sla = detail::serialize(json::object{{"error", e.what()}});
            return s;
        }
        Snapshot s;
        s.status = st.status;
        s.facets = st.facets;
        if (!c.events.empty()) s.last_event_at = c.events.back().at;
        json::array targets;
        for (const auto& t : st.targets) {
            json::object o{{"name", target_code(t.target)}, {"cycle", t.cycle}, {"policy", t.policy}};
            if (t.deadline) o["due"] = format_timestamp(*t.deadline);
            if (t.met_at) o["met_at"] = format_timestamp(*t.met_at);
            if (t.breached_at) o["breached_at"] = format_timestamp(*t.breached_at);
            if (t.breached_at) o["met"] = false;  // a failed SLA stays failed
            else if (t.met_at) o["met"] = true;
            if (t.paused) o["paused"] = true;
            targets.push_back(std::move(o));
            if (!t.met_at && t.deadline && !t.paused && (!s.due_at || *t.deadline < *s.due_at)) s.due_at = t.deadline;
        }
        s.next_wakeup = st.next_wakeup;
        if (s.due_at) s.at_risk_at = (st.next_wakeup && *st.next_wakeup < *s.due_at) ? *st.next_wakeup : *s.due_at;
        json::object sla{{"targets", std::move(targets)}, {"level", st.level}};
        if (!st.level_name.empty()) sla["level_name"] = st.level_name;
        if (!st.owner_unit.empty()) sla["owner_unit"] = st.owner_unit;
        if (!st.assignee.empty()) sla["assignee"] = st.assignee;
        s.sla = detail::serialize(sla);
        return s;
    };
}

}  // namespace ck
