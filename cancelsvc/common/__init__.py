"""Small building blocks shared by the capability packages (money, marshmallow fields)."""
