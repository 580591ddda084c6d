"""Two demo services that log citizens in through ID-porten as a service owner's web
application would: over HTTP, with discovery, the code flow and logout."""
