// Placeholder: the terminal composer goes here.
import Generation
