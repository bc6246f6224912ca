"""What each role may do with the platform's own tables (gathered by
``grids.permissions.role_permissions``): the district staff are told of dead
outbox messages and may look at the outbox and hand them on again
(``core.admin.OutboxMessageAdmin``)."""

# Role kinds by value: core knows no roles (grids.models.Role.Kind).
ROLE_PERMISSIONS = {
    "district_staff": {
        "core.view_outboxmessage",
        "core.change_outboxmessage",
    }
}
