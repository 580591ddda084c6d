"""The hosted integrasjonspunkt's services: capabilities, outgoing messages, statuses and
conversations. The API views and the admin call these."""
