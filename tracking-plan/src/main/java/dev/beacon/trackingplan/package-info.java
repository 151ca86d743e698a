/**
 * Segment Protocols tracking plans enforced at the call: {@link dev.beacon.trackingplan.TrackingPlan}
 * reads the plan Segment exports, {@link dev.beacon.trackingplan.TrackingPlanPlugin} checks every
 * message against it in warn, drop or strict mode. See docs/tracking-plans.md.
 */
package dev.beacon.trackingplan;
