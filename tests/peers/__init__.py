"""Real local servers that speak the providers' protocols, on 127.0.0.1, for the real client
libraries to talk to. Each runs in its own thread with its own event loop."""
