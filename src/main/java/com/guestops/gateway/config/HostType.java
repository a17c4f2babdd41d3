package com.guestops.gateway.config;

/** The protocol a configured host speaks. */
public enum HostType {
    /** vSphere Web Services (SOAP) on an ESXi host or a vCenter, path {@code /sdk}. */
    VIM25,
    /** vSphere Automation REST API of a vCenter 7.0 U2+. */
    VAPI,
    /** The embedded in-memory simulator. */
    SIMULATOR
}
