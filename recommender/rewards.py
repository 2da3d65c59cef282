"""What each shopper event is worth to the recommenders that learn from events: the
storefront's policies, its A/B report and the simulated storefront's shoppers alike."""
REWARD = {"view": 0.0, "tryon": 0.1, "add_to_outfit": 0.3, "add_to_cart": 0.5,
          "purchase": 1.0, "return": -1.0}
