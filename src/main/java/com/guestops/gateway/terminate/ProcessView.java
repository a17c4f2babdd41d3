package com.guestops.gateway.terminate;

import com.guestops.gateway.host.ProcessInfo;

/** A looked-up process as the caller gets it: the host's {@link ProcessInfo} and the process's {@link ProcessTag ETag}. */
public record ProcessView(ProcessInfo info, String etag) {
}
