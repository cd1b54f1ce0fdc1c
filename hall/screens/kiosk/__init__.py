"""The citizen kiosk's screens (自助取号机): home, take, ticket, guide, appointment, idle; submit/ for 自助申报."""
