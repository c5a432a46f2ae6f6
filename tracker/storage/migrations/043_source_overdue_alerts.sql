-- A new alert kind, source_overdue (a source silent past its expected cadence). Whoever
-- subscribed to failing sources wants to hear of silent ones too.
UPDATE alert_subscriptions SET kinds = list_append(kinds, 'source_overdue')
WHERE list_contains(kinds, 'source_failing') AND NOT list_contains(kinds, 'source_overdue');
