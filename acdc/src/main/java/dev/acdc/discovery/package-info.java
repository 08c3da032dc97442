/**
 * Circuit discovery methods behind one interface: ACDC (with its slow reference oracle),
 * subnetwork probing (SP), head importance (HISP) and edge attribution patching (EAP, EAP-IG).
 */
package dev.acdc.discovery;
