DROP TABLE scheduled_publications;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_topics;
DROP TABLE webhooks;
